"""axe-core (from the npm registry, pinned in package.json) run inside a page.

The site's CSP allows no inline script, so axe is not added as a <script>
tag: Playwright evaluates its source through the DevTools protocol, which the
page's CSP does not govern, and the page itself stays exactly as served."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

ROOT = Path(__file__).resolve().parent.parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# WCAG 2.2 A and AA plus axe's best practices (landmarks, headings, ...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}


def axe_source() -> str:
    """axe.min.js, installed with `npm ci` when node_modules is missing."""
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=False)
    if not AXE.exists():
        message = f"axe-core is not installed at {AXE} (run `npm ci` in {ROOT})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


@dataclass(frozen=True)
class Violation:
    page: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        where = ", ".join(self.targets[:3])
        more = f" (+{len(self.targets) - 3})" if len(self.targets) > 3 else ""
        return f"{self.page}: [{self.impact}] {self.rule}: {self.help} at {where}{more}"


async def violations(page: Page, source: str, name: str) -> list[Violation]:
    """Every axe violation on the page as it is showing now."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(source)
    found: list[dict[str, Any]] = await page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" ")),
            }));
        }""",
        TAGS,
    )
    return [
        Violation(name, v["id"], v["impact"] or "minor", v["help"], tuple(v["targets"]))
        for v in found
    ]
