"""The language server: ``dockerfix server``, LSP over stdio (pygls).

Diagnostics pushed on open, change and save (and answered for pull requests), a quick fix
per fixable finding (the edits of that rule alone), "disable this rule here", fix-all on
``source.fixAll.dockerfix``, and formatting, all as minimal text edits. Settings are found
per document as the command line finds them. pygls is imported by this package only.
"""
