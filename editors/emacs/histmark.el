;;; histmark.el --- histmark in Emacs: eglot, or compilation mode  -*- lexical-binding: t; -*-

;; Load it from your init file:  (load "/path/to/editors/emacs/histmark.el")
;;
;; With eglot (built into Emacs 29; M-x package-install eglot before that),
;; text and markdown buffers are marked as you type: gaps and warnings are
;; flymake warnings, findings are notes; M-x eldoc (or hovering with the
;; point) explains a finding and line 1 shows the mark; M-x eglot-code-actions
;; on a misspelt name corrects it.
;;
;; Without eglot, M-x histmark-compile runs `histmark --format gcc' on the
;; file and compilation mode lists every note with a link to its place.

(require 'compile)

(defgroup histmark nil "Marks A-level history essays." :group 'tools)

(defcustom histmark-program "histmark"
  "The histmark command."
  :type 'string)

(defcustom histmark-settings '(:kinds ["gaps" "warnings" "findings"])
  "Settings sent to the language server, as a plist: :rubric, :rules,
:lists, :topic (a pack id such as \"russia-1917-53\", a file, or \"none\"),
:kinds."
  :type 'sexp)

(defun histmark--eglot-contact (&optional _interactive)
  "How eglot starts the server; read when it starts, so settings made after
loading this file count."
  (list histmark-program "lsp" :initializationOptions histmark-settings))

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               '((text-mode markdown-mode) . histmark--eglot-contact)))

(defun histmark-eglot ()
  "Start histmark for this buffer with eglot."
  (interactive)
  (require 'eglot)
  (eglot-ensure))

;; Uncomment to mark every text and markdown buffer automatically:
;; (add-hook 'text-mode-hook #'histmark-eglot)
;; (add-hook 'markdown-mode-hook #'histmark-eglot)

(defun histmark-compile ()
  "Mark the current file and list the notes in a compilation buffer."
  (interactive)
  (save-buffer)
  ;; The lines are FILE:LINE:COLUMN: warning|note: ..., which the `gnu'
  ;; entry of `compilation-error-regexp-alist' reads (columns in characters).
  (compile (format "%s --format gcc %s" histmark-program
                   (shell-quote-argument (buffer-file-name)))))

(provide 'histmark)
;;; histmark.el ends here
