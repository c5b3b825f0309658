" Re-indents files with `gg=G` and compares them with what they should be.
" $KSTATE_INDENT_PAIRS lists `input<Tab>expected` per line (a formatted file
" is its own expectation). Run by editors_test.py; failures go to the file
" $KSTATE_TEST_OUT, and the editor exits with an error (:cquit) when there are any.
let s:failures = []
for s:pair in readfile($KSTATE_INDENT_PAIRS)
  let [s:input, s:expected] = split(s:pair, "\t")
  execute 'silent edit! ' . fnameescape(s:input)
  if &filetype !=# 'kstate' || &indentexpr !=# 'GetKstateIndent()'
    call add(s:failures, s:input . ': filetype ' . string(&filetype) . ', indentexpr ' . string(&indentexpr))
    continue
  endif
  silent normal! gg=G
  let s:want = readfile(s:expected)
  let s:got = getline(1, '$')
  for s:i in range(max([len(s:want), len(s:got)]))
    if get(s:want, s:i, '<end>') !=# get(s:got, s:i, '<end>')
      call add(s:failures, printf('%s:%d: expected %s, got %s', s:input, s:i + 1, string(get(s:want, s:i, '<end>')), string(get(s:got, s:i, '<end>'))))
      break
    endif
  endfor
  silent edit!
endfor
call writefile(s:failures, $KSTATE_TEST_OUT)
if empty(s:failures)
  qall!
endif
cquit!
