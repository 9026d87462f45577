;;; emacs_session.el --- Emacs + eglot against `dockerfix server' (batch) -*- lexical-binding: t -*-
;; Open the Dockerfile given as DOCKERFIX_DOCKERFILE, wait for the server's diagnostics,
;; apply the fix-all code action, write what happened to DOCKERFIX_RESULT. The server
;; command is DOCKERFIX_SERVER (words split by spaces). Used by tests/test_editors.py.
;; Debian's elpa-eglot, and the newer project.el, xref and seq it needs (-Q loads no
;; site-lisp, so their folders are put first on the load path here)
(dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (push dir load-path))
(require 'eglot)
(require 'flymake)
(define-derived-mode dockerfile-mode prog-mode "Dockerfile")
(unless (getenv "DOCKERFIX_PROBE")  ; the probe only checks that eglot loads
 (let* ((file (getenv "DOCKERFIX_DOCKERFILE"))
       (result (getenv "DOCKERFIX_RESULT"))
       (server (split-string (getenv "DOCKERFIX_SERVER") " " t))
       (out '()))
  (add-to-list 'eglot-server-programs (cons 'dockerfile-mode server))
  (find-file file)
  (dockerfile-mode)
  (apply #'eglot (eglot--guess-contact))
  (let ((deadline (+ (float-time) 30)))
    (while (and (null (flymake-diagnostics)) (< (float-time) deadline))
      (accept-process-output nil 0.1)))
  (dolist (d (flymake-diagnostics))
    (push (format "diagnostic %s" (flymake-diagnostic-text d)) out))
  (let* ((server (eglot-current-server))
         (actions (jsonrpc-request
                   server :textDocument/codeAction
                   (list :textDocument (eglot--TextDocumentIdentifier)
                         :range (list :start (list :line 0 :character 0)
                                      :end (list :line 0 :character 0))
                         :context (list :diagnostics []
                                        :only ["source.fixAll.dockerfix"])))))
    (seq-doseq (action actions)
      (let ((edit (plist-get action :edit)))
        (when edit
          (eglot--apply-workspace-edit edit)
          (push (format "applied %s" (plist-get action :title)) out)))))
  (dolist (line (split-string (buffer-string) "\n"))
    (push (format "line %s" line) out))
  (with-temp-file result
    (insert (mapconcat #'identity (nreverse out) "\n") "\n"))
  (kill-emacs 0)))
