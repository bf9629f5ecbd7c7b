"""What pyproject.toml cannot say: models/ at the repository root (the contract's layout) ships
inside the wheel as the data folder clusternews/_models, where assets.models_dir() finds it.

A `[tool.setuptools.packages.find]` table finds only what is under src/, and the name
clusternews.models is taken by the records module src/clusternews/models.py.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages("src"), "clusternews._models"],
    package_dir={"": "src", "clusternews._models": "models"},
)
