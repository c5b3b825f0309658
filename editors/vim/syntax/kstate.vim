" Syntax highlighting for .kstate files (docs/language.md). The groups follow
" the categories of the VS Code grammar (editors/vscode/syntaxes): comments,
" keywords, declarations, numbers with units, strings with escapes and
" ${...} interpolation, block strings, fields, sections, calls, operators.
if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
syn iskeyword @,48-57,_,192-255
" Block strings and block comments span lines; files are small.
syn sync fromstart

" A name may hold single dashes between letters or digits: `init-mysql`. It is
" matched whole so that `a-1` shows no number; everything after it in this
" file has priority over it where both start.
syn match kstateName '\<\h\w*\%(-\w\+\)*'

syn match kstateOperator '==\|!=\|<=\|>=\|[<>]\|[-+*/%=]'
syn match kstateOperator '\.\.'
syn match kstateAccessor '\.\ze\h'

syn keyword kstateConditional if then else
syn keyword kstateRepeat for nextgroup=kstateDefinition skipwhite
syn keyword kstateRepeat in
syn keyword kstateOperatorWord and or not
syn keyword kstateLet let nextgroup=kstateDefinition skipwhite
syn keyword kstateBoolean true false
syn keyword kstateSelf self

" Numbers. Where several match at one place the last one defined wins, so a
" number with a known unit beats the catch-all for unknown units (`8Gb`).
syn match kstateNumberError '\<\d\w*\%(\.\d\w*\)*'
syn match kstateNumber '\<\d[0-9_]*\>'
syn match kstateNumber '\<\d[0-9_]*\.\d[0-9_]*\>'
syn match kstateNumber '\<0x[0-9A-Fa-f_]\+\>'
syn match kstateNumber '\<0o[0-7_]\+\>'
syn match kstateNumber '\<0b[01_]\+\>'
syn match kstateDuration '\<\%(\d[0-9_]*\%(\.\d[0-9_]*\)\=\%(ms\|h\|m\|s\)\)\+\>' contains=kstateUnit
" `500m`: millicores or minutes, decided by the field.
syn match kstateMilli '\<\d[0-9_]*\%(\.\d[0-9_]*\)\=m\>' contains=kstateUnit
syn match kstateBytes '\<\d[0-9_]*\%(\.\d[0-9_]*\)\=\%([KMGTPE]i\|[kMGTPE]\)\>' contains=kstateUnit
syn match kstateUnit '\a\+' contained

" Calls: built-ins by name, anything else as a call.
syn match kstateCall '\<\h\w*\%(-\w\+\)*\ze\s*('
syn match kstateBuiltin '\<\%(exec\|http\|tcp\|grpc\|required\|preferred\|spread\|toleration\|secret\|configMap\|field\|resource\|join\|len\|lower\|upper\|range\|peers\)\ze\s*('

" Record keys and named arguments: `tier: "db"`, `weight: 50`.
syn match kstateKey '\%(\%(^\|[({,]\)\s*\)\@<=\h\w*\%(-\w\+\)*\ze\s*:\%(:\)\@!'

" Statements start a line or follow `{` or `;`.
let s:stmt = '\%(\%(^\|;\|[^$]{\)\s*\)\@<='
" `name = value` and `a.b.c = value`.
exe 'syn match kstateField "' . s:stmt . '\h\w*\%(-\w\+\)*\%(\s*\.\s*\h\w*\%(-\w\+\)*\)*\ze\s*=\%(=\)\@!"'
" Section heads: `resources {`, `storage data {`.
exe 'syn match kstateSection "' . s:stmt . '\h\w*\%(-\w\+\)*\ze\%(\s\+\h\w*\%(-\w\+\)*\)\=\s*{" nextgroup=kstateSectionName skipwhite'
syn match kstateSectionName '\h\w*\%(-\w\+\)*\ze\s*{' contained
" `port NAME = N`, `file "f" = ...`, `mount NAME at PATH`: statements unless followed by `=`.
exe 'syn match kstateStatement "' . s:stmt . 'port\ze\s\+\h" nextgroup=kstatePortName skipwhite'
syn match kstatePortName '\h\w*\%(-\w\+\)*' contained
exe 'syn match kstateStatement "' . s:stmt . 'file\>\%(\s*=\)\@!"'
exe 'syn match kstateStatement "' . s:stmt . 'mount\>\%(\s*=\)\@!" nextgroup=kstateAt,kstateVolumeName,kstateMountFile skipwhite'
syn match kstateVolumeName '\%(at\>\)\@!\h\w*\%(-\w\+\)*' contained nextgroup=kstateAt skipwhite
syn region kstateMountFile start=+"+ end=+"\|$+ contained oneline nextgroup=kstateAt skipwhite
syn match kstateAt 'at\>' contained
" `assert COND, MESSAGE`: a statement unless followed by `=`, `.`, `:` or `,`
" (`assert = 1`, `assert.x = 1`, `{ assert: 1 }`); the rest is an expression.
exe 'syn match kstateStatement "' . s:stmt . 'assert\>\%(-\w\)\@!\%(\s*[=:,]\|\.\)\@!"'

" Braces group statements and records; interpolations hold any expression.
syn region kstateBraces start='{' end='}' transparent fold contains=TOP

" Top-level declarations.
syn match kstateDeclaration '^\s*\zscomponent\>' nextgroup=kstateComponentName skipwhite
syn match kstateComponentName '\h\w*\%(-\w\+\)*' contained nextgroup=kstateTemplateColon skipwhite
syn match kstateTemplateColon ':' contained nextgroup=kstateTemplateRef skipwhite
syn match kstateTemplateRef '\%(\h\w*\%(-\w\+\)*\.\)\=\h\w*\%(-\w\+\)*' contained contains=kstateTemplateAlias
syn match kstateTemplateAlias '\h\w*\%(-\w\+\)*\ze\.' contained
syn match kstateDeclaration '^\s*\zsnamespace\>\%(\s*=\)\@!'
syn match kstateDeclaration '^\s*\zstemplate\>' nextgroup=kstateTemplateName skipwhite
syn match kstateTemplateName '\h\w*\%(-\w\+\)*' contained
syn match kstateImport '^\s*\zsimport\>' nextgroup=kstateImportPath skipwhite
syn region kstateImportPath start=+"+ end=+"\|$+ contained oneline nextgroup=kstateAs skipwhite
syn match kstateAs 'as\>' contained nextgroup=kstateAlias skipwhite
syn match kstateAlias '\h\w*\%(-\w\+\)*' contained

" Template parameters: `name: type`, in a template's parameter list.
syn match kstateParam '\%(\%(^\|[(,]\)\s*\)\@<=\h\w*\ze\s*:\s*\%(int\|bool\|string\|identifier\|bytes\|cpu\|duration\|port\|record\|list\|map\)\>' nextgroup=kstateParamColon skipwhite
syn match kstateParamColon ':' contained nextgroup=kstateType skipwhite
syn match kstateType '\%(list\|map\)\s*\[\s*\h\w*\s*\]\|\h\w*' contained

" The name bound by `let NAME` and `for NAME in`.
syn match kstateDefinition '\h\w*\%(-\w\+\)*' contained

" Strings. A "..." string ends on its line (an unclosed one stops there).
syn match kstateEscapeError '\\.' contained
syn match kstateEscape '\\\%(["\\nrt0$]\|u{\x\{1,6}}\)' contained
syn match kstateDollarEscape '\$\${' contained
syn region kstateInterpolation matchgroup=kstateInterpolationDelimiter start='\${' end='}\|$' contained contains=TOP
syn region kstateBlockInterpolation matchgroup=kstateInterpolationDelimiter start='\${' end='}' contained contains=TOP
syn region kstateString start='"' skip='\\\\\|\\"' end='"\|$' contains=kstateEscapeError,kstateEscape,kstateDollarEscape,kstateInterpolation
" In a block string a backslash is an ordinary character.
syn region kstateBlockString start='"""' end='"""' contains=kstateDollarEscape,kstateBlockInterpolation

syn keyword kstateTodo TODO FIXME XXX NOTE contained
syn match kstateComment '//.*$' contains=kstateTodo,@Spell
syn region kstateBlockComment start='/\*' end='\*/' contains=kstateTodo,@Spell fold

hi def link kstateOperator Operator
hi def link kstateAccessor Delimiter
hi def link kstateConditional Conditional
hi def link kstateRepeat Repeat
hi def link kstateOperatorWord Operator
hi def link kstateLet Keyword
hi def link kstateBoolean Boolean
hi def link kstateSelf Special
hi def link kstateNumberError Error
hi def link kstateNumber Number
hi def link kstateDuration Number
hi def link kstateMilli Number
hi def link kstateBytes Number
hi def link kstateUnit Type
hi def link kstateCall Function
hi def link kstateBuiltin Function
hi def link kstateKey Identifier
hi def link kstateField Identifier
hi def link kstateSection Statement
hi def link kstateSectionName Label
hi def link kstateStatement Statement
hi def link kstatePortName Label
hi def link kstateVolumeName Label
hi def link kstateMountFile String
hi def link kstateAt Statement
hi def link kstateDeclaration Keyword
hi def link kstateComponentName Type
hi def link kstateTemplateColon Delimiter
hi def link kstateTemplateRef Function
hi def link kstateAlias Include
hi def link kstateTemplateAlias Include
hi def link kstateTemplateName Function
hi def link kstateImport Include
hi def link kstateImportPath String
hi def link kstateAs Include
hi def link kstateParam Identifier
hi def link kstateParamColon Delimiter
hi def link kstateType Type
hi def link kstateDefinition Identifier
hi def link kstateEscapeError Error
hi def link kstateEscape SpecialChar
hi def link kstateDollarEscape SpecialChar
hi def link kstateInterpolationDelimiter Special
hi def link kstateString String
hi def link kstateBlockString String
hi def link kstateTodo Todo
hi def link kstateComment Comment
hi def link kstateBlockComment Comment

let b:current_syntax = 'kstate'
let &cpo = s:cpo_save
unlet s:cpo_save
