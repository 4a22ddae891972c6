" Vim syntax file
" Language: ftx (declarative experiments for fine-tuning neural networks)
" Files:    *.ftx
" The classes follow ftx's lexer (Sources/DSL/Lexer.swift): `#` comments to the end
" of the line, double-quoted strings with backslash escapes, numbers that start with
" a digit, and the words true, false, and, or, not, where.

if exists('b:current_syntax')
  finish
endif

syntax case match

" Declarations and blocks.
syntax match ftxSection /^\s*\zs\(experiment\|data\|model\|stage\)\ze\s\+\h\w*\s*{/ nextgroup=ftxDeclName skipwhite
syntax match ftxDeclName /\h\w*/ contained
syntax match ftxSection /^\s*\zs\(schedule\|resources\)\ze\s*{/
syntax match ftxSection /^\s*\zssweep\ze\s\+\(grid\|zip\|random\)\>/ nextgroup=ftxSweepKind skipwhite
syntax match ftxSweepKind /\(grid\|zip\|random\)\>/ contained

" A setting's key (a sweep axis is a dotted path), an argument label, a call.
syntax match ftxKey /^\s*\zs\h\w*\(\.\h\w*\)*\ze\s*=\(=\)\@!/
syntax match ftxLabel /\<\h\w*\ze\s*:/
syntax match ftxCall /\<\h\w*\ze\s*(/

" Lexer classes.
syntax keyword ftxBoolean true false
syntax keyword ftxLogical and or not where
syntax match ftxNumber /\(\w\)\@<!\d\+\(\.\d\+\)\=\([eE][+-]\=\d\+\)\=/
syntax match ftxUnit /\d\s\+\zs\(epochs\=\|steps\=\)\>/
syntax region ftxString start=/"/ skip=/\\./ end=/"\|$/ oneline
syntax match ftxComment /#.*$/ contains=ftxTodo
syntax keyword ftxTodo TODO FIXME XXX contained

syntax match ftxOperator /==\|!=\|<=\|>=\|[<>=+*\/-]/

highlight default link ftxSection Structure
highlight default link ftxDeclName Identifier
highlight default link ftxSweepKind Type
highlight default link ftxKey Identifier
highlight default link ftxLabel Special
highlight default link ftxCall Function
highlight default link ftxBoolean Boolean
highlight default link ftxLogical Keyword
highlight default link ftxNumber Number
highlight default link ftxUnit Type
highlight default link ftxString String
highlight default link ftxComment Comment
highlight default link ftxTodo Todo
highlight default link ftxOperator Operator

let b:current_syntax = 'ftx'
