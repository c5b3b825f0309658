" Indentation for .kstate files: one level (shiftwidth) per open brace, bracket
" or parenthesis, counted from the line that opened it, as `kstatec fmt` lays
" files out; a closing one lines up with that line; a line that continues an
" expression (starting with an operator, `then` or `else`, or after a line
" ending in one) gets one more level. Lines inside a block string or a block
" comment are kept. A small scanner finds strings and comments itself, so this
" works without syntax highlighting and stays fast on whole-file `gg=G`.
if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal indentexpr=GetKstateIndent()
setlocal indentkeys=0{,0},0),0],!^F,o,O,=then,=else
setlocal autoindent
let b:undo_indent = 'setlocal indentexpr< indentkeys< autoindent< | unlet! b:kstate_indent_scan'

if exists('*GetKstateIndent')
  finish
endif

" A string from its opening quote: escapes, $${ and ${...} (whose nested
" strings hold no `}`) up to the closing quote.
let s:string = '^"\%([^"\\$]\|\\.\|\$\${\|\${[^}]*}\|\$\)*"'

" Scans lines first .. last - 1 from `state`, the state at the start of line
" first, and leaves in it the state at the start of line last: mode ('code',
" 'block string' or 'block comment'), the open brackets as a stack of line
" numbers, the code of the last line that had some (strings emptied, comments
" dropped), and the mode each scanned line started in.
function! s:Scan(state, first, last) abort
  let state = a:state
  for lnum in range(a:first, a:last - 1)
    let state.starts[lnum] = state.mode
    let text = getline(lnum)
    let pos = 0
    let code = ''
    while pos < len(text)
      if state.mode ==# 'block string' || state.mode ==# 'block comment'
        let close = state.mode ==# 'block string' ? '"""' : '*/'
        let end = stridx(text, close, pos)
        if end < 0
          break
        endif
        let code .= state.mode ==# 'block string' ? '""' : ' '
        let state.mode = 'code'
        let pos = end + len(close)
        continue
      endif
      let at = match(text, '[][(){}"]\|//\|/\*', pos)
      if at < 0
        let code .= strpart(text, pos)
        break
      endif
      let code .= strpart(text, pos, at - pos)
      let token = text[at]
      if text[at : at + 1] ==# '//'
        break
      elseif text[at : at + 1] ==# '/*'
        let state.mode = 'block comment'
        let pos = at + 2
      elseif text[at : at + 2] ==# '"""'
        let state.mode = 'block string'
        let pos = at + 3
      elseif token ==# '"'
        let end = matchend(strpart(text, at), s:string)
        let code .= '""'
        if end < 0
          break
        endif
        let pos = at + end
      else
        if token =~# '[[({]'
          call add(state.open, lnum)
        elseif !empty(state.open)
          call remove(state.open, -1)
        endif
        let code .= token
        let pos = at + 1
      endif
    endwhile
    if code =~# '\S'
      let state.code = code
    endif
  endfor
endfunction

" Lines 1 .. last - 1 without their indentation, which does not change a scan.
function! s:Key(last) abort
  return a:last <= 1 ? '' : substitute(join(getline(1, a:last - 1), "\n"), '\(^\|\n\)\s\+', '\1', 'g')
endfunction

" The state at the start of line `last`. While `=` re-indents line after line
" only indentation changes, so the scan of the lines above is kept and extended.
function! s:StateAt(last) abort
  let cache = get(b:, 'kstate_indent_scan', {})
  if empty(cache) || cache.upto > a:last || s:Key(cache.upto) !=# cache.key
    let cache = {'upto': 1, 'key': '', 'state': {'mode': 'code', 'open': [], 'code': '', 'starts': {}}}
  endif
  call s:Scan(cache.state, cache.upto, a:last)
  let cache.upto = a:last
  let cache.key = s:Key(a:last)
  let b:kstate_indent_scan = cache
  return cache.state
endfunction

" The indentation that brackets opened on line l count from: that of the line
" where the block string or comment that l starts in began (`""") {` counts
" from the line of the opening `"""`).
function! s:AnchorIndent(state, l) abort
  let l = a:l
  while l > 1 && get(a:state.starts, l, 'code') !=# 'code'
    let l -= 1
  endwhile
  return indent(l)
endfunction

let s:continues = '\%([-+*/%<>=:]\|\.\.\|\<\%(and\|or\|not\|then\|else\)\)\s*$'
let s:continued = '^\s*\%([-+*%<>]\|/[/*]\@!\|[!=]=\|\.\.\|\<\%(and\|or\|then\|else\)\>\)'

function! GetKstateIndent() abort
  let state = s:StateAt(v:lnum)
  if state.mode !=# 'code'
    return -1
  endif
  let line = getline(v:lnum)
  if empty(state.open)
    let base = 0
  elseif line =~# '^\s*[])}]'
    return s:AnchorIndent(state, state.open[-1])
  else
    let base = s:AnchorIndent(state, state.open[-1]) + shiftwidth()
  endif
  " An expression continued from the line above.
  if line =~# s:continued || state.code =~# s:continues
    return base + shiftwidth()
  endif
  return base
endfunction
