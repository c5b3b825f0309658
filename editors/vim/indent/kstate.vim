" Indentation for .kstate files: one level (shiftwidth) per open brace, bracket
" or parenthesis, counted from the line that opened it, as `kstatec fmt` lays
" files out; a closing one lines up with that line; a line that continues an
" expression (starting with an operator, `then` or `else`, or after a line
" ending in one) gets one more level, and so does one that continues a
" statement in a block or at the top level (not in a record, list or call):
" one starting with `,`, or after a line ending in `,` (`assert cond,` then the
" message) or holding only a statement's first word (`assert`, then the
" condition). Lines inside a block string or a block comment are kept. A small
" scanner finds strings and comments itself, so this works without syntax
" highlighting and stays fast on whole-file `gg=G`.
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

" A line's code that is one name alone (not an operator word).
let s:lone = '^\s*\%(\%(and\|or\|not\|then\|else\)\>\)\@![A-Za-z_][A-Za-z0-9_]*\%(-[A-Za-z0-9_]\+\)*\s*$'
" How much of the code after an open brace is kept: enough for its first two tokens.
let s:head_length = 200

" Scans lines first .. last - 1 from `state`, the state at the start of line
" first, and leaves in it the state at the start of line last: mode ('code',
" 'block string' or 'block comment'), the open brackets as a stack of line
" numbers and beside it, in `heads`, each bracket followed by the start of
" the code after it, the code of the last line that had some (strings emptied
" to "", comments dropped), how many code lines at the end were a name alone
" (`lone`) and the code of the last line before them (`before`), and the mode
" each scanned line started in.
function! s:Scan(state, first, last) abort
  let state = a:state
  for lnum in range(a:first, a:last - 1)
    let state.starts[lnum] = state.mode
    let text = getline(lnum)
    let pos = 0
    let code = ''
    let opened = len(state.open)
    let starts = []
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
        let code .= token
        if token =~# '[[({]'
          call add(state.open, lnum)
          call add(state.heads, token)
          call add(starts, len(code))
        elseif !empty(state.open)
          call remove(state.open, -1)
          call remove(state.heads, -1)
          if len(state.open) < opened
            let opened = len(state.open)
          else
            call remove(starts, -1)
          endif
        endif
        let pos = at + 1
      endif
    endwhile
    " The code after each open brace, up to s:head_length.
    for i in range(len(state.heads))
      if state.heads[i][0] ==# '{' && len(state.heads[i]) < s:head_length
        let after = i < opened ? "\n" . code : strpart(code, starts[i - opened])
        let state.heads[i] = strpart(state.heads[i] . after, 0, s:head_length)
      endif
    endfor
    if code =~# '\S'
      if code =~# s:lone
        let state.lone += 1
      else
        let state.lone = 0
        let state.before = code
      endif
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
    let cache = {'upto': 1, 'key': '', 'state': {'mode': 'code', 'open': [], 'heads': [], 'code': '', 'lone': 0, 'before': '', 'starts': {}}}
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

" A record `{ key: value, ... }` starts with a name or a string and `:`, as
" `kstatec fmt` tells it from a block of statements.
let s:record = '^{\_s*\%([A-Za-z_][A-Za-z0-9_]*\%(-[A-Za-z0-9_]\+\)*\|""\)\_s*:'

" Whether the next line continues the statement of a line with this code, in a
" block or at the top level.
function! s:Continues(code) abort
  return a:code =~# s:continues || a:code =~# ',\s*$'
endfunction

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
  " Statements, not the entries of a record, list or call.
  let statements = empty(state.heads) || (state.heads[-1][0] ==# '{' && state.heads[-1] !~# s:record)
  " An expression continued from the line above.
  if line =~# s:continued || state.code =~# s:continues
    return base + shiftwidth()
  endif
  if statements
    " A name alone on a line is the first word of a statement, which goes on,
    " unless the line above went on into it; in a run of such lines every
    " other one starts a statement.
    let continues = s:Continues(state.before)
    if state.lone % 2 == 1
      let continues = !continues
    endif
    if continues || line =~# '^\s*,'
      return base + shiftwidth()
    endif
  endif
  return base
endfunction
