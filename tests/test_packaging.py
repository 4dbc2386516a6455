"""The wheel must carry every package: an editable install hides a missing one."""

from __future__ import annotations

import tomllib

from meetup.settings import PACKAGE_DIR, REPO_DIR


def test_every_python_package_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(PACKAGE_DIR.parent).parts)
        for init in PACKAGE_DIR.rglob("__init__.py")
    }
    assert on_disk <= listed, f"missing from pyproject.toml: {sorted(on_disk - listed)}"
    assert {"meetup.templates", "meetup.static"} <= listed
