" histmark without plugins: :make runs `histmark --format gcc` on the file
" and the quickfix list holds the gaps (warnings) and findings (notes), each
" jumping to its place. With g:histmark_make_on_save (default 1, and unless
" ALE is marking as you type) every save of a .txt or .md file runs it.
if exists('g:loaded_histmark')
    finish
endif
let g:loaded_histmark = 1
let g:histmark_make_on_save = get(g:, 'histmark_make_on_save', 1)

augroup histmark
    autocmd!
    autocmd FileType text,markdown let &l:makeprg = get(g:, 'histmark_executable', 'histmark') . ' --format gcc %:S'
    " %v: histmark's columns are characters, not bytes.
    autocmd FileType text,markdown setlocal errorformat=%f:%l:%v:\ %tarning:\ %m,%f:%l:%v:\ %tote:\ %m
    autocmd BufWritePost *.txt,*.md if g:histmark_make_on_save && !exists('g:loaded_ale')
                \ | silent make! | cwindow | redraw! | endif
augroup END
