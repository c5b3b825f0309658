;;; kstate-mode.el --- Major mode for kstate files -*- lexical-binding: t; -*-

;; Author: the kstate authors
;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: languages

;; This file is not part of GNU Emacs.

;;; Commentary:

;; A major mode for `.kstate' files, which describe stateful Kubernetes
;; components (see docs/language.md of the kstate project):
;;
;; - a syntax table for `//' and `/* */' comments, "..." strings that end
;;   on their line and """ block strings (in which a backslash is an
;;   ordinary character);
;; - highlighting of keywords, declarations, template parameters and their
;;   types, numbers with units, escapes and ${...} interpolations, fields,
;;   section heads, statements, calls and operators;
;; - indentation by brace depth (`kstate-indent-offset' columns per open
;;   brace, bracket or parenthesis, one more for a continued expression or
;;   statement), the layout of `kstatec fmt'; lines inside block strings
;;   keep theirs;
;; - imenu entries for templates and components;
;; - the language server `kstatec lsp' for eglot, registered once eglot is
;;   loaded (eglot is not required).
;;
;; Install: put this file on `load-path' and `(require 'kstate-mode)'.

;;; Code:

(require 'seq)

(defgroup kstate nil
  "Editing kstate files."
  :group 'languages
  :prefix "kstate-")

(defcustom kstate-indent-offset 2
  "Columns of indentation per open brace, bracket or parenthesis."
  :type 'integer
  :safe #'integerp)

(defface kstate-number-face '((t :inherit font-lock-constant-face))
  "Face for numbers, with or without a unit.")

(defface kstate-unit-face '((t :inherit font-lock-type-face))
  "Face for the unit of a number: `Gi' in 8Gi, `s' in 30s, `m' in 500m.")

(defface kstate-invalid-face '((t :inherit font-lock-warning-face))
  "Face for a number with an unknown unit, such as 8Gb.")

(defface kstate-escape-face '((t :inherit font-lock-builtin-face))
  "Face for escapes in strings: \\n, \\u{e9}, $${.")

(defface kstate-interpolation-face '((t :inherit default))
  "Face for the expression of a ${...} interpolation in a string.")

(defface kstate-interpolation-delimiter-face '((t :inherit font-lock-preprocessor-face))
  "Face for the ${ and } around an interpolation.")

(defface kstate-field-face '((t :inherit font-lock-variable-name-face))
  "Face for a field name before `='.")

(defface kstate-key-face '((t :inherit font-lock-constant-face))
  "Face for a record key or a named argument before `:'.")

(defface kstate-operator-face '((t :inherit default))
  "Face for operators.")

(defconst kstate--name "[A-Za-z_][A-Za-z0-9_]*\\(?:-[A-Za-z0-9_]+\\)*"
  "A name: letters, digits and `_', with single dashes inside.")

(defconst kstate--reserved
  '("and" "else" "false" "for" "if" "in" "let" "not" "or" "then" "true")
  "Words that can never be names.")

(defconst kstate--builtins
  '("exec" "http" "tcp" "grpc" "required" "preferred" "spread" "toleration"
    "secret" "configMap" "field" "resource" "join" "len" "lower" "upper"
    "range" "peers")
  "The built-in functions.")

(defconst kstate--types
  '("int" "bool" "string" "identifier" "bytes" "cpu" "duration" "port" "record")
  "The template parameter types that take no element type.")

(defconst kstate--statement-start "\\(?:^\\|[;{]\\)[ \t]*"
  "Where a statement starts: a line, or after `;' or `{'.")

(defvar kstate-mode-syntax-table
  (let ((table (make-syntax-table)))
    (modify-syntax-entry ?/ ". 124b" table)
    (modify-syntax-entry ?* ". 23" table)
    (modify-syntax-entry ?\n "> b" table)
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?\\ "\\" table)
    (modify-syntax-entry ?_ "_" table)
    (dolist (c '(?- ?+ ?% ?= ?< ?> ?! ?. ?, ?\; ?: ?$))
      (modify-syntax-entry c "." table))
    table)
  "Syntax table of `kstate-mode'.")

;;;; Strings: """ blocks and strings that end on their line.

(defun kstate--block-string-quote ()
  "Mark the \"\"\" just matched when it opens or closes a block string."
  (let* ((start (match-beginning 0))
         (ppss (save-excursion (syntax-ppss start))))
    (cond
     ((nth 4 ppss) nil)
     ((eq (nth 3 ppss) t)
      (put-text-property (1- (match-end 0)) (match-end 0)
                         'syntax-table (string-to-syntax "|")))
     ((nth 3 ppss) nil)
     (t (put-text-property start (1+ start)
                           'syntax-table (string-to-syntax "|"))))))

(defun kstate--line-string-quote ()
  "Let the string opened by the quote just matched end with its line.
A string not closed on its line is an error; without this it would run on
into the following lines."
  (let ((start (match-beginning 0)))
    (unless (nth 8 (save-excursion (syntax-ppss start)))
      (save-excursion
        (goto-char (1+ start))
        (unless (looking-at "\\(?:[^\"\\\n]\\|\\\\.\\)*\"")
          (put-text-property start (1+ start) 'syntax-table (string-to-syntax "|"))
          (end-of-line)
          (unless (eobp)
            (put-text-property (point) (1+ (point))
                               'syntax-table (string-to-syntax "|"))))))))

(defun kstate--backslash ()
  "Make the backslash just matched an ordinary character in a block string."
  (when (eq (nth 3 (save-excursion (syntax-ppss (match-beginning 0)))) t)
    (put-text-property (match-beginning 0) (match-end 0)
                       'syntax-table (string-to-syntax "."))))

(defconst kstate--syntax-propertize
  (syntax-propertize-rules
   ("\"\"\"" (0 (ignore (kstate--block-string-quote))))
   ("\"" (0 (ignore (kstate--line-string-quote))))
   ("\\\\" (0 (ignore (kstate--backslash)))))
  "Give triple quotes, unclosed strings and backslashes their syntax.")

;;;; Highlighting.

(defun kstate--in-string-p (pos)
  "Non-nil when POS is inside a string."
  (nth 3 (save-excursion (syntax-ppss pos))))

(defun kstate--match-interpolation (limit)
  "Find the next ${...} inside a string before LIMIT.
Group 1 is `${', group 2 the expression and group 3 the closing `}'."
  (let (found)
    (while (and (not found)
                (re-search-forward "\\(\\$\\)?\\(\\${\\)\\([^}\n]*\\)\\(}\\)?" limit t))
      (when (and (not (match-beginning 1)) (kstate--in-string-p (match-beginning 2)))
        (set-match-data (list (match-beginning 2) (match-end 0)
                              (match-beginning 2) (match-end 2)
                              (match-beginning 3) (match-end 3)
                              (match-beginning 4) (match-end 4)))
        (setq found t)))
    found))

(defun kstate--match-escape (limit)
  "Find the next escape inside a string before LIMIT: \\n, \\u{e9}, $${."
  (let (found)
    (while (and (not found)
                (re-search-forward
                 "\\\\\\(?:[\"\\\\nrt0$]\\|u{[0-9A-Fa-f]+}\\)\\|\\$\\${" limit t))
      (let ((start (match-beginning 0)))
        (when (and (kstate--in-string-p start)
                   ;; A block string has no backslash escapes.
                   (not (and (eq (char-after start) ?\\)
                             (eq (kstate--in-string-p start) t))))
          (setq found t))))
    found))

(defvar kstate--number-has-unit nil
  "Non-nil when the number last matched by `kstate--match-number' has a unit.")

(defvar kstate--number-end nil
  "Where the number last matched by `kstate--match-number' ends.")

(defconst kstate--number-forms
  (let* ((digits "[0-9][0-9_]*")
         (decimal (concat digits "\\(?:\\." digits "\\)?")))
    (list
     (cons (concat "\\`\\(?:0x[0-9A-Fa-f_]+\\|0o[0-7_]+\\|0b[01_]+\\|" decimal "\\)\\'") nil)
     (cons (concat "\\`" decimal "\\(?:[KMGTPE]i\\|[kMGTPE]\\)\\'") t)
     (cons (concat "\\`\\(?:" decimal "\\(?:ms\\|h\\|m\\|s\\)\\)+\\'") t)))
  "Valid numbers, each with whether it has a unit.")

(defun kstate--inside-name-p (pos)
  "Non-nil when the digit at POS continues a name such as `init-2'."
  (let ((before (char-before pos)))
    (cond
     ((null before) nil)
     ((string-match-p "[A-Za-z0-9_.]" (string before)) t)
     ((eq before ?-)
      (save-excursion
        (goto-char (1- pos))
        (skip-chars-backward "A-Za-z0-9_-")
        (looking-at-p "[A-Za-z_]"))))))

(defun kstate--match-number (limit)
  "Find the next number before LIMIT, outside strings and comments.
Group 1 is a valid number, group 2 one with an unknown unit (KS1005)."
  (let (found)
    (while (and (not found)
                (re-search-forward "[0-9][A-Za-z0-9_]*\\(?:\\.[0-9][A-Za-z0-9_]*\\)*" limit t))
      (let ((start (match-beginning 0))
            (end (match-end 0)))
        (unless (or (kstate--inside-name-p start)
                    (nth 8 (save-excursion (syntax-ppss start))))
          (let* ((text (match-string-no-properties 0))
                 (form (seq-find (lambda (f) (string-match-p (car f) text))
                                 kstate--number-forms)))
            (setq kstate--number-has-unit (and form (cdr form))
                  kstate--number-end end)
            (set-match-data (if form
                                (list start end start end)
                              (list start end nil nil start end)))
            (setq found t)))))
    found))

(defun kstate--match-unit (limit)
  "Find the next unit letters of the current number before LIMIT."
  (and kstate--number-has-unit
       (re-search-forward "[A-Za-z]+" limit t)))

(defun kstate--match-section (limit)
  "Find the next section head before LIMIT: `resources {', `storage data {'.
Group 1 is the head, group 2 the name if any."
  (let (found)
    (while (and (not found)
                (re-search-forward
                 (concat kstate--statement-start "\\(" kstate--name "\\)"
                         "\\(?:[ \t]+\\(" kstate--name "\\)\\)?[ \t]*{")
                 limit t))
      (unless (or (member (match-string-no-properties 1) kstate--reserved)
                  (member (match-string-no-properties 2) kstate--reserved))
        (setq found t)))
    found))

(defconst kstate-font-lock-keywords
  (let ((name kstate--name)
        (stmt kstate--statement-start))
    `(;; Declarations.
      (,(concat "^[ \t]*\\(component\\)\\_>\\(?:[ \t]+\\(" name "\\)\\)?"
                "\\(?:[ \t]*:[ \t]*\\(?:\\(" name "\\)\\.\\)?\\(" name "\\)\\)?")
       (1 font-lock-keyword-face) (2 font-lock-type-face nil t)
       (3 font-lock-constant-face nil t) (4 font-lock-function-name-face nil t))
      (,(concat "^[ \t]*\\(template\\)\\_>\\(?:[ \t]+\\(" name "\\)\\)?")
       (1 font-lock-keyword-face) (2 font-lock-function-name-face nil t))
      ("^[ \t]*\\(namespace\\)\\_>[ \t]*[^ \t=]" 1 font-lock-keyword-face)
      ("^[ \t]*\\(namespace\\)[ \t]*$" 1 font-lock-keyword-face)
      (,(concat "^[ \t]*\\(import\\)\\_>\\(?:[ \t]*\"[^\"\n]*\"[ \t]*\\(as\\)\\_>"
                "\\(?:[ \t]+\\(" name "\\)\\)?\\)?")
       (1 font-lock-keyword-face) (2 font-lock-keyword-face nil t)
       (3 font-lock-constant-face nil t))
      ;; Template parameters: `memory: bytes', `names: list[string]'.
      (,(concat "\\(?:^\\|[(,]\\)[ \t]*\\(" name "\\)[ \t]*:[ \t]*"
                "\\(\\(?:list\\|map\\)[ \t]*\\[[ \t]*" name "[ \t]*\\]\\|"
                (regexp-opt kstate--types) "\\_>\\)")
       (1 font-lock-variable-name-face) (2 font-lock-type-face))
      ;; Statements.
      (,(concat stmt "\\(port\\)[ \t]+\\(" name "\\)")
       (1 font-lock-keyword-face) (2 font-lock-function-name-face))
      (,(concat stmt "\\(file\\)\\_>[ \t]*[^ \t=]") 1 font-lock-keyword-face)
      (,(concat stmt "\\(mount\\)\\_>\\(?:[ \t]+\\(at\\)\\_>\\|[ \t]+\\(?:\\(" name "\\)\\|\"[^\"\n]*\"\\)[ \t]+\\(at\\)\\_>\\)")
       (1 font-lock-keyword-face) (2 font-lock-keyword-face nil t)
       (3 font-lock-function-name-face nil t) (4 font-lock-keyword-face nil t))
      ;; `assert COND, MESSAGE', but not `assert = 1', `assert.x = 1', `{ assert: 1 }'
      ;; nor a name such as `assert-x'.
      (,(concat stmt "\\(assert\\)\\(?:[ \t]*$\\|[ \t]+[^ \t\n=:,]\\|[^-A-Za-z0-9_ \t\n=:,.]\\|-[^A-Za-z0-9_]\\)")
       1 font-lock-keyword-face)
      (kstate--match-section
       (1 font-lock-keyword-face) (2 font-lock-function-name-face nil t))
      ;; Fields: `replicas = 3', `securityContext.fsGroup = 1001'.
      (,(concat stmt "\\(" name "\\(?:[ \t]*\\.[ \t]*" name "\\)*\\)[ \t]*=\\(?:[^=]\\|$\\)")
       1 'kstate-field-face)
      ;; Keywords and constants.
      (,(regexp-opt '("if" "then" "else" "for" "in" "and" "or" "not" "let") 'symbols)
       . font-lock-keyword-face)
      (,(regexp-opt '("true" "false") 'symbols) . font-lock-constant-face)
      ("\\_<self\\_>" . font-lock-builtin-face)
      (,(concat "\\_<let[ \t]+\\(" name "\\)") 1 font-lock-variable-name-face)
      (,(concat "\\_<for[ \t]+\\(" name "\\)") 1 font-lock-variable-name-face)
      ;; Calls, record keys and named arguments.
      (,(concat (regexp-opt kstate--builtins 'symbols) "[ \t]*(") 1 font-lock-builtin-face)
      (,(concat "\\(" name "\\)[ \t]*(") 1 font-lock-function-name-face)
      (,(concat "\\(?:^\\|[({,]\\)[ \t]*\\(" name "\\)[ \t]*:\\(?:[^:]\\|$\\)") 1 'kstate-key-face)
      ;; Numbers and their units.
      (kstate--match-number
       (1 'kstate-number-face nil t) (2 'kstate-invalid-face nil t)
       (kstate--match-unit
        (progn (goto-char (match-beginning 0)) kstate--number-end)
        (goto-char kstate--number-end)
        (0 'kstate-unit-face t)))
      ("==\\|!=\\|<=\\|>=\\|\\.\\.\\|[-+*/%<>=]" . 'kstate-operator-face)
      ;; Inside strings.
      (kstate--match-escape 0 'kstate-escape-face t)
      (kstate--match-interpolation
       (1 'kstate-interpolation-delimiter-face t)
       (2 'kstate-interpolation-face t)
       (3 'kstate-interpolation-delimiter-face t t))))
  "Highlighting for `kstate-mode'.")

;;;; Indentation.

(defconst kstate--continued-line
  "\\(?:[-+*%<>]\\|/[^/*]\\|[!=]=\\|\\.\\.\\|\\_<\\(?:and\\|or\\|then\\|else\\)\\_>\\)"
  "A line that starts like this continues the expression above it.")

(defconst kstate--continuing-end
  "\\(?:[-+*/%<>=:]\\|\\.\\.\\|\\_<\\(?:and\\|or\\|not\\|then\\|else\\)\\)"
  "A line that ends like this continues on the next line.")

(defun kstate--anchor-indentation (pos)
  "The indentation that the bracket at POS counts from.
That is the indentation of its line, or, when that line starts inside a block
string or comment, of the line where that string or comment starts."
  (save-excursion
    (goto-char pos)
    (let (start)
      (while (setq start (nth 8 (syntax-ppss (line-beginning-position))))
        (goto-char start)))
    (current-indentation)))

(defun kstate--record-p (open)
  "Non-nil when the brace at OPEN starts a record `{ key: value, ... }'.
As for `kstatec fmt', a record starts with a name or a string and `:'; any
other brace holds a block of statements."
  (save-excursion
    (goto-char (1+ open))
    (forward-comment (buffer-size))
    (and (cond ((looking-at kstate--name) (goto-char (match-end 0)))
               ((and (eq (char-after) ?\") (not (looking-at-p "\"\"\"")))
                (ignore-errors (forward-sexp) t)))
         (progn (forward-comment (buffer-size))
                (eq (char-after) ?:)))))

(defun kstate--statements-p (open)
  "Non-nil when the innermost open bracket OPEN (nil: none) holds statements.
That is the top level or a block, not a record, a list or arguments."
  (or (null open)
      (and (eq (char-after open) ?{) (not (kstate--record-p open)))))

(defun kstate--name-alone-p ()
  "Non-nil when the code before point ends with a name alone on its line.
Point is at the end of that code; it moves to the start of the name."
  (let ((end (point)))
    (skip-chars-backward "A-Za-z0-9_-")
    (and (looking-at kstate--name)
         (= (match-end 0) end)
         (let ((line (line-beginning-position)))
           (save-excursion
             (forward-comment (- (point)))
             (or (bobp) (< (point) line)))))))

(defun kstate--previous-line-continues-p (statements)
  "Non-nil when the code before the current line goes on into it.
It does when it ends with an operator, and, when STATEMENTS (in a block or
at the top level), when it ends with `,' or with the first word of a
statement alone on its line (`assert', then the condition on the next line).
A name alone on its line that the line above goes on into is not the first
word of a statement: in a run of names alone, every other one is."
  (save-excursion
    (beginning-of-line)
    (let ((names 0) continues done)
      (while (not done)
        (forward-comment (- (point)))
        (cond
         ((bobp) (setq done t))
         ((or (looking-back kstate--continuing-end (line-beginning-position))
              (and statements (eq (char-before) ?,)))
          (setq continues t done t))
         ((and statements (kstate--name-alone-p))
          (setq names (1+ names))
          (beginning-of-line))
         (t (setq done t))))
      (if (= (% names 2) 1) (not continues) continues))))

(defun kstate--indentation ()
  "The column the current line should start at, or nil to leave it."
  (save-excursion
    (back-to-indentation)
    (let ((state (save-excursion (syntax-ppss (line-beginning-position)))))
      (unless (nth 8 state)
        (let* ((open (nth 1 (syntax-ppss)))
               (base (if open (+ (kstate--anchor-indentation open) kstate-indent-offset) 0))
               (statements (kstate--statements-p open)))
          (cond
           ((and open (looking-at-p "[])}]")) (kstate--anchor-indentation open))
           ((looking-at-p kstate--continued-line) (+ base kstate-indent-offset))
           ((and statements (looking-at-p ",")) (+ base kstate-indent-offset))
           ((kstate--previous-line-continues-p statements) (+ base kstate-indent-offset))
           (t base)))))))

(defun kstate-indent-line ()
  "Indent the current line by brace depth; lines inside block strings stay."
  (interactive)
  (let ((column (kstate--indentation))
        (offset (- (current-column) (current-indentation))))
    (if (null column)
        'noindent
      (indent-line-to column)
      (when (> offset 0)
        (forward-char offset)))))

;;;; The mode.

(defvar kstate-imenu-generic-expression
  `(("Templates" ,(concat "^[ \t]*template[ \t]+\\(" kstate--name "\\)") 1)
    ("Components" ,(concat "^[ \t]*component[ \t]+\\(" kstate--name "\\)") 1))
  "Imenu entries: templates and components.")

;;;###autoload
(define-derived-mode kstate-mode prog-mode "kstate"
  "Major mode for editing kstate files (stateful Kubernetes components).

\\{kstate-mode-map}"
  :syntax-table kstate-mode-syntax-table
  (setq-local comment-start "// ")
  (setq-local comment-end "")
  (setq-local comment-start-skip "\\(?://+\\|/\\*+\\)[ \t]*")
  (setq-local comment-use-syntax t)
  (setq-local syntax-propertize-function kstate--syntax-propertize)
  (setq-local font-lock-defaults '(kstate-font-lock-keywords))
  (setq-local indent-line-function #'kstate-indent-line)
  (setq-local indent-tabs-mode nil)
  (setq-local electric-indent-chars (append "}])" electric-indent-chars))
  (setq-local imenu-generic-expression kstate-imenu-generic-expression))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.kstate\\'" . kstate-mode))

(defvar eglot-server-programs)

;;;###autoload
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(kstate-mode "kstatec" "lsp")))

(provide 'kstate-mode)

;;; kstate-mode.el ends here
