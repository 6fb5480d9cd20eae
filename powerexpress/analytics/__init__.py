"""The pure analytics core: arrays, frames and dataclasses in, results out.

Nothing here imports Django or any app (a test enforces it). Apps turn querysets into arrays,
call these functions, and write the results back through their own services.
"""
