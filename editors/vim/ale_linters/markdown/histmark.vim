call histmark#DefineLinter('markdown')
