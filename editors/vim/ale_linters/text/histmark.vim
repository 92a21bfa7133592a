call histmark#DefineLinter('text')
