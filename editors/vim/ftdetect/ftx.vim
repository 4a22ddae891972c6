" ftx experiment files.
autocmd BufRead,BufNewFile *.ftx setfiletype ftx
