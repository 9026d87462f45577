"""Build-verified fixes: ``dockerfix verify`` builds and runs the image before and after.

A valid Dockerfile can still give an image that does not start. For each Dockerfile the
fixer would change, ``verify`` builds the original and the fixed one in the same build
context with the user's own engine (``engines``: docker, podman, buildah), runs both the
same way and observes them (``probe``: a one-shot run's exit status and output, or a
server's ports and HTTP answers, and the user the process runs as), and judges the pair
(``compare``): VERIFIED, REGRESSION (the fixed image fails where the original worked) or
UNVERIFIABLE (the original itself does not build or start). ``session`` drives one run
over many files and removes every image and container it made; ``output`` renders it.

Nothing here is imported by a plain fix.
"""
