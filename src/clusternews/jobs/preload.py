"""Imported only by the worker pool's forkserver: loads the models once, before any fork."""

from clusternews.jobs.workers import preload

preload()
