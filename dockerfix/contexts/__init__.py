"""Where each Dockerfile's build context is, the way the build finds it.

A Dockerfile's build context is often not its folder (``docker build -f deploy/Dockerfile
.``). ``locate`` decides it once per Dockerfile, for every rule: ``--context DIR``, the
settings' ``contexts`` table, the nearest folder at or above the Dockerfile holding a
``go.mod`` where the files it copies exist, or else the Dockerfile's folder — and says
where the choice came from. Declarations in compose, bake, CI workflows and build scripts
(read as data, never run) belong here too.

This part reads the facts; the fixer never imports it: the runner hands the chosen
folder to ``dockerfix.fix``.
"""
