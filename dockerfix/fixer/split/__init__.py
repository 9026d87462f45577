"""The multi-stage split of DFX001: decide whether one single-stage Go build can be split
into a builder and a minimal runtime stage, and if so, how; then edit the tree.

``analysis.plan_split`` finds the blockers and builds a ``plan.Plan``; ``plan.apply_plan``
turns the plan into the new tree. The rule itself lives in
``dockerfix.fixer.rules.dfx001_single_stage_go_build``.
"""
