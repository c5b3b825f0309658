;;; kstate-mode-test.el --- Tests of editors/emacs/kstate-mode.el -*- lexical-binding: t; -*-

;;; Commentary:

;; Run by tests/editors/check_emacs.py in `emacs --batch' with ERT, after it
;; byte-compiled kstate-mode.el with warnings as errors.  KSTATE_REPO names
;; the repository; the samples are in tests/editors/samples/.

;;; Code:

(require 'ert)
(require 'imenu)
(require 'kstate-mode)

(defvar kstate-test-repo (file-name-as-directory (getenv "KSTATE_REPO")))

(defun kstate-test-file (relative)
  "The contents of the repository's file RELATIVE."
  (with-temp-buffer
    (insert-file-contents (expand-file-name relative kstate-test-repo))
    (buffer-string)))

(defmacro kstate-test-with-buffer (text &rest body)
  "Run BODY in a `kstate-mode' buffer holding TEXT, highlighted."
  (declare (indent 1))
  `(with-temp-buffer
     (insert ,text)
     (kstate-mode)
     (font-lock-ensure)
     (goto-char (point-min))
     ,@body))

(defun kstate-test-pos (line text &optional occurrence)
  "The position of the OCCURRENCE-th TEXT (default the first) on LINE."
  (save-excursion
    (goto-char (point-min))
    (forward-line (1- line))
    (let ((end (line-end-position)))
      (dotimes (_ (or occurrence 1))
        (unless (search-forward text end t)
          (error "No %S on line %d: %S" text line
                 (buffer-substring (line-beginning-position) end))))
      (match-beginning 0))))

(defun kstate-test-difference (expected actual)
  "The first line where ACTUAL differs from EXPECTED: (LINE EXPECTED ACTUAL), or nil."
  (let ((line 1) (a (split-string expected "\n")) (b (split-string actual "\n")))
    (while (and (or a b) (equal (car a) (car b)))
      (setq line (1+ line) a (cdr a) b (cdr b)))
    (and (or a b) (list line (car a) (car b)))))

(defun kstate-test-indent (text)
  "TEXT after `indent-region' in a `kstate-mode' buffer."
  (with-temp-buffer
    (insert text)
    (kstate-mode)
    (let ((inhibit-message t))
      (indent-region (point-min) (point-max)))
    (buffer-substring-no-properties (point-min) (point-max))))

(defun kstate-test-faces (pos)
  "The faces at POS, as a list."
  (let ((face (get-text-property pos 'face)))
    (if (listp face) face (list face))))

(ert-deftest kstate-loads-without-eglot ()
  "Loading the mode neither needs nor loads eglot; eglot gets the server when it loads."
  (should-not (featurep 'eglot))
  (should (eq (assoc-default "db/orders.kstate" auto-mode-alist #'string-match) 'kstate-mode))
  (defvar eglot-server-programs)
  (let ((eglot-server-programs nil))
    (provide 'eglot)
    (unwind-protect
        (should (equal (assq 'kstate-mode eglot-server-programs) '(kstate-mode "kstatec" "lsp")))
      (setq features (delq 'eglot features)))))

(ert-deftest kstate-syntax ()
  "Both comment styles, line strings that end on their line, block strings."
  (kstate-test-with-buffer "a = 1 // note \"x\"\n/* b\n c */ d = \"e\nf = \"\"\"\n  g \\\" h\n  \"\"\"\ni = 2\n"
			   (should (nth 4 (syntax-ppss (kstate-test-pos 1 "note"))))
			   (should (nth 4 (syntax-ppss (kstate-test-pos 3 "c"))))
			   (should-not (nth 8 (syntax-ppss (kstate-test-pos 3 "d"))))
			   (should (nth 3 (syntax-ppss (1+ (kstate-test-pos 3 "\"e")))))
			   (should-not (nth 8 (syntax-ppss (kstate-test-pos 4 "f"))))
			   (should (eq t (nth 3 (syntax-ppss (kstate-test-pos 5 "h")))))
			   (should-not (nth 8 (syntax-ppss (kstate-test-pos 7 "i"))))))

(ert-deftest kstate-highlighting ()
  "Faces at chosen places of the sample tests/editors/samples/highlight.kstate."
  (kstate-test-with-buffer (kstate-test-file "tests/editors/samples/highlight.kstate")
			   (let (mismatches)
			     (dolist (check
				      '((1 "A sample" font-lock-comment-face)
					(2 "import" font-lock-keyword-face)
					(2 "std/db" font-lock-string-face)
					(2 "as" font-lock-keyword-face)
					(2 "mariadb" font-lock-constant-face 2)
					(4 "namespace" font-lock-keyword-face)
					(4 "create" kstate-field-face)
					(4 "true" font-lock-constant-face)
					(6 "template" font-lock-keyword-face)
					(6 "cache" font-lock-function-name-face)
					(6 "version" font-lock-variable-name-face)
					(6 "string" font-lock-type-face)
					(6 "1Gi" kstate-number-face)
					(6 "Gi" kstate-unit-face)
					(7 "redis:" font-lock-string-face)
					(7 "${" kstate-interpolation-delimiter-face)
					(7 "version" kstate-interpolation-face)
					(10 "component" font-lock-keyword-face)
					(10 "orders" font-lock-type-face)
					(10 "mariadb" font-lock-constant-face)
					(10 "server" font-lock-function-name-face)
					(10 "replicas" kstate-key-face)
					(11 "replicas" kstate-field-face)
					(11 "3" kstate-number-face)
					(12 "let" font-lock-keyword-face)
					(12 "status" font-lock-variable-name-face)
					(12 "exec" font-lock-builtin-face)
					(12 "$PASSWORD" font-lock-string-face)
					(12 "\\t" kstate-escape-face)
					(12 "$${" kstate-escape-face)
					(13 "readiness" kstate-field-face)
					(13 "initialDelay" kstate-field-face)
					(13 "30s" kstate-number-face)
					(13 "s;" kstate-unit-face)
					(13 "1h30m" kstate-number-face)
					(13 "h30m" kstate-unit-face)
					(14 "resources" font-lock-keyword-face)
					(14 "cpu" kstate-field-face)
					(14 "500" kstate-number-face)
					(14 "m;" kstate-unit-face)
					(15 "storage" font-lock-keyword-face)
					(15 "data" font-lock-function-name-face)
					(15 "8Gb" kstate-invalid-face)
					(15 "mount" kstate-field-face)
					(15 "block" font-lock-comment-face)
					(16 "comment" font-lock-comment-face)
					(17 "port" font-lock-keyword-face)
					(17 "mysql" font-lock-function-name-face)
					(18 "env" font-lock-keyword-face)
					(18 "URL" kstate-field-face)
					(18 "mysql://" font-lock-string-face)
					(18 "service" kstate-interpolation-face)
					(18 "/db" font-lock-string-face)
					(19 "and" font-lock-keyword-face)
					(19 "not" font-lock-keyword-face)
					(20 "\"\"\"" font-lock-string-face)
					(21 "max=" font-lock-string-face)
					(21 "${" kstate-interpolation-delimiter-face)
					(23 "mount" font-lock-keyword-face)
					(23 "data" font-lock-function-name-face)
					(23 "at" font-lock-keyword-face 2)
					(23 "/var" font-lock-string-face)
					(24 "assert" font-lock-keyword-face)
					(24 "use an" font-lock-string-face)
					(24 "${" kstate-interpolation-delimiter-face)
					(24 "replicas" kstate-interpolation-face 2)
					(25 "assert" kstate-field-face)
					(25 "assert" kstate-field-face 2)
					(25 "assert" kstate-key-face 3)
					(26 "assert" font-lock-keyword-face)
					(26 "true" font-lock-constant-face)
					(26 "assert" font-lock-variable-name-face 2)))
			       (pcase-let* ((`(,line ,text ,face ,occurrence) check)
					    (faces (kstate-test-faces (kstate-test-pos line text occurrence))))
				 (unless (memq face faces)
				   (push (list line text 'expected face 'found faces) mismatches))))
			     (should (equal nil (nreverse mismatches))))))

(ert-deftest kstate-assert-statement ()
  "`assert' starts a statement, but not before `=', `.', `:' or `,', nor in a longer name."
  (kstate-test-with-buffer "assert x > 0, \"m\"\nassert = 1; assert.x = 2\ny = { assert: 1 }\nassert-x = 1\n"
			   (let ((keyword-p (lambda (line &optional occurrence)
					      (memq 'font-lock-keyword-face
						    (kstate-test-faces (kstate-test-pos line "assert" occurrence))))))
			     (should (funcall keyword-p 1))
			     (should-not (funcall keyword-p 2))
			     (should-not (funcall keyword-p 2 2))
			     (should-not (funcall keyword-p 3))
			     (should-not (funcall keyword-p 4)))))

(ert-deftest kstate-numbers-in-names ()
  "Digits inside names are not numbers; a dash after a digit does not join."
  (kstate-test-with-buffer "x = [init-2, a - 1, 3-1]\n"
			   (should-not (memq 'kstate-number-face (kstate-test-faces (kstate-test-pos 1 "2"))))
			   (should (memq 'kstate-number-face (kstate-test-faces (kstate-test-pos 1 "1"))))
			   (should (memq 'kstate-number-face (kstate-test-faces (kstate-test-pos 1 "3"))))
			   (should (memq 'kstate-number-face (kstate-test-faces (kstate-test-pos 1 "1]"))))))

(ert-deftest kstate-indent-sample ()
  "`indent-region' turns the mis-indented sample into the `kstatec fmt' layout."
  (let ((expected (kstate-test-file "tests/editors/samples/indent_expected.kstate"))
        (input (kstate-test-file "tests/editors/samples/indent_input.kstate")))
    (should-not (kstate-test-difference expected (kstate-test-indent input)))))

(ert-deftest kstate-indent-keeps-formatted-files ()
  "Every example and standard library module, laid out by `kstatec fmt', stays as it is."
  (dolist (file (append (directory-files-recursively (expand-file-name "examples" kstate-test-repo) "\\.kstate\\'")
                        (directory-files-recursively (expand-file-name "stdlib" kstate-test-repo) "\\.kstate\\'")))
    (let ((text (kstate-test-file file)))
      (should (equal (list file nil) (list file (kstate-test-difference text (kstate-test-indent text))))))))

(ert-deftest kstate-imenu ()
  "Imenu lists templates and components."
  (kstate-test-with-buffer (kstate-test-file "tests/editors/samples/highlight.kstate")
			   (let ((index (imenu--make-index-alist t)))
			     (should (assoc "cache" (cdr (assoc "Templates" index))))
			     (should (assoc "orders" (cdr (assoc "Components" index)))))))

(provide 'kstate-mode-test)

;;; kstate-mode-test.el ends here
