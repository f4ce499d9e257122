#!/usr/bin/env python3
"""Check the Markdown docs: every relative link names a file that exists, every #anchor a
heading in it (GitHub's anchors), and README.md stays short (details belong in docs/).
Run by `make lint`."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
README_MAX_LINES = 400
LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading):
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def headings_and_links(path):
    anchors, links, fence = set(), [], False
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        heading = re.match(r"#{1,6} (.*)", line)
        if heading:
            anchors.add(slug(heading.group(1)))
        # Code spans are not links.
        for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
            links.append((number, target))
    return anchors, links


def main():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    parsed = {page: headings_and_links(page) for page in pages}
    problems = []
    for page, (anchors, links) in parsed.items():
        for number, target in links:
            if re.match(r"[a-z]+:", target):
                continue
            file_part, _, anchor = target.partition("#")
            dest = (page.parent / file_part).resolve() if file_part else page
            where = f"{page.relative_to(ROOT)}:{number}"
            if not dest.exists():
                problems.append(f"{where}: link to a missing file: {target}")
                continue
            if anchor and dest.suffix == ".md":
                dest_anchors = parsed[dest][0] if dest in parsed else headings_and_links(dest)[0]
                if anchor not in dest_anchors:
                    problems.append(f"{where}: no heading for #{anchor} in {dest.relative_to(ROOT)}")
    lines = len((ROOT / "README.md").read_text().splitlines())
    if lines > README_MAX_LINES:
        problems.append(
            f"README.md: {lines} lines, more than {README_MAX_LINES}: move details to docs/"
        )
    for problem in problems:
        print(f"check-docs: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
