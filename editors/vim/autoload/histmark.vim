" Reads `histmark --format gcc` lines into ALE's location list entries:
" FILE:LINE:COLUMN: warning|note: message [rule-id]. COLUMN counts Unicode
" code points, which is a screen column (vcol) for all but wide characters.
function! histmark#HandleGcc(buffer, lines) abort
    let l:output = []
    let l:pattern = '\v^.+:(\d+):(\d+): (warning|note): (.*) \[([^\]]+)\]$'
    for l:match in ale#util#GetMatches(a:lines, l:pattern)
        call add(l:output, {
        \   'lnum': l:match[1] + 0,
        \   'col': l:match[2] + 0,
        \   'vcol': 1,
        \   'type': l:match[3] is# 'warning' ? 'W' : 'I',
        \   'text': l:match[4],
        \   'code': l:match[5],
        \})
    endfor
    return l:output
endfunction

" The ALE linter, the same for text and markdown: the buffer goes to
" histmark on standard input and comes back named as the file.
function! histmark#DefineLinter(filetype) abort
    call ale#linter#Define(a:filetype, {
    \   'name': 'histmark',
    \   'executable': get(g:, 'histmark_executable', 'histmark'),
    \   'command': '%e --format gcc --stdin-filename %s -',
    \   'callback': 'histmark#HandleGcc',
    \   'output_stream': 'stdout',
    \})
endfunction
