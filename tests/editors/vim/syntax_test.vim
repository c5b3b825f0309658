" Checks the Vim syntax groups of editors/vim/syntax/kstate.vim at chosen
" places of tests/editors/samples/highlight.kstate. Run by check_vim.py, which
" opens the sample; failures go to the file $KSTATE_TEST_OUT, and the editor
" exits with an error (:cquit) when there are any.
let s:failures = []

" Expect the innermost syntax group at the `occurrence`-th `text` of line `lnum`.
function! s:Expect(lnum, text, group, ...) abort
  let occurrence = a:0 ? a:1 : 1
  let col = -1
  for i in range(occurrence)
    let col = stridx(getline(a:lnum), a:text, col + 1)
  endfor
  if col < 0
    call add(s:failures, printf('line %d: no `%s` in %s', a:lnum, a:text, string(getline(a:lnum))))
    return
  endif
  let name = synIDattr(synID(a:lnum, col + 1, 1), 'name')
  if name !=# a:group
    call add(s:failures, printf('%d:%d `%s`: expected %s, found %s', a:lnum, col + 1, a:text, a:group, name ==# '' ? 'no group' : name))
  endif
endfunction

if &filetype !=# 'kstate'
  call add(s:failures, 'filetype is ' . string(&filetype) . ', not kstate: ftdetect/kstate.vim did not apply')
endif
if get(b:, 'current_syntax', '') !=# 'kstate'
  call add(s:failures, 'syntax/kstate.vim was not loaded')
endif

call s:Expect(1, '// A sample', 'kstateComment')
call s:Expect(2, 'import', 'kstateImport')
call s:Expect(2, 'std/db', 'kstateImportPath')
call s:Expect(2, 'as', 'kstateAs')
call s:Expect(2, 'mariadb', 'kstateAlias', 2)
call s:Expect(4, 'namespace', 'kstateDeclaration')
call s:Expect(4, 'create', 'kstateField')
call s:Expect(4, 'true', 'kstateBoolean')
call s:Expect(6, 'template', 'kstateDeclaration')
call s:Expect(6, 'cache', 'kstateTemplateName')
call s:Expect(6, 'version', 'kstateParam')
call s:Expect(6, 'string', 'kstateType')
call s:Expect(6, 'bytes', 'kstateType')
call s:Expect(6, '1Gi', 'kstateBytes')
call s:Expect(6, 'Gi', 'kstateUnit')
call s:Expect(7, 'redis:', 'kstateString')
call s:Expect(7, '${', 'kstateInterpolationDelimiter')
call s:Expect(7, 'version', 'kstateName')
call s:Expect(10, 'component', 'kstateDeclaration')
call s:Expect(10, 'orders', 'kstateComponentName')
call s:Expect(10, 'mariadb', 'kstateTemplateAlias')
call s:Expect(10, 'server', 'kstateTemplateRef')
call s:Expect(10, 'replicas', 'kstateKey')
call s:Expect(11, 'replicas', 'kstateField')
call s:Expect(11, '3', 'kstateNumber')
call s:Expect(12, 'let', 'kstateLet')
call s:Expect(12, 'status', 'kstateDefinition')
call s:Expect(12, 'exec', 'kstateBuiltin')
call s:Expect(12, '$PASSWORD', 'kstateString')
call s:Expect(12, '\t', 'kstateEscape')
call s:Expect(12, '$${', 'kstateDollarEscape')
call s:Expect(13, 'readiness', 'kstateField')
call s:Expect(13, 'initialDelay', 'kstateField')
call s:Expect(13, '30s', 'kstateDuration')
call s:Expect(13, 's;', 'kstateUnit')
call s:Expect(13, 'period', 'kstateField')
call s:Expect(13, '1h30m', 'kstateDuration')
call s:Expect(14, 'resources', 'kstateSection')
call s:Expect(14, 'cpu', 'kstateField')
call s:Expect(14, '500', 'kstateMilli')
call s:Expect(14, '8Gi', 'kstateBytes')
call s:Expect(15, 'storage', 'kstateSection')
call s:Expect(15, 'data', 'kstateSectionName')
call s:Expect(15, '8Gb', 'kstateNumberError')
call s:Expect(15, 'mount', 'kstateField')
call s:Expect(15, '/* block', 'kstateBlockComment')
call s:Expect(16, 'comment', 'kstateBlockComment')
call s:Expect(17, 'port', 'kstateStatement')
call s:Expect(17, 'mysql', 'kstatePortName')
call s:Expect(18, 'env', 'kstateSection')
call s:Expect(18, 'URL', 'kstateField')
call s:Expect(18, 'mysql://', 'kstateString')
call s:Expect(18, 'service', 'kstateName')
call s:Expect(18, '+', 'kstateOperator')
call s:Expect(18, '1}', 'kstateNumber')
call s:Expect(18, '/db', 'kstateString')
call s:Expect(19, 'and', 'kstateOperatorWord')
call s:Expect(19, 'not', 'kstateOperatorWord')
call s:Expect(20, '"""', 'kstateBlockString')
call s:Expect(21, 'max=', 'kstateBlockString')
call s:Expect(21, '${', 'kstateInterpolationDelimiter')
call s:Expect(21, '1Mi', 'kstateBytes')
call s:Expect(23, 'mount', 'kstateStatement')
call s:Expect(23, 'data', 'kstateVolumeName')
call s:Expect(23, 'at', 'kstateAt', 2)
call s:Expect(23, '/var', 'kstateString')
call s:Expect(24, 'assert', 'kstateStatement')
call s:Expect(24, 'replicas', 'kstateName')
call s:Expect(24, '%', 'kstateOperator')
call s:Expect(24, 'use an', 'kstateString')
call s:Expect(24, '${', 'kstateInterpolationDelimiter')
call s:Expect(24, 'replicas', 'kstateName', 2)
call s:Expect(25, 'assert', 'kstateField')
call s:Expect(25, 'assert', 'kstateField', 2)
call s:Expect(25, 'assert', 'kstateKey', 3)
call s:Expect(26, 'assert', 'kstateStatement')
call s:Expect(26, 'true', 'kstateBoolean')
call s:Expect(26, 'assert', 'kstateDefinition', 2)
call s:Expect(26, 'assert', 'kstateName', 3)

call writefile(s:failures, $KSTATE_TEST_OUT)
if empty(s:failures)
  qall!
endif
cquit!
