"""Print the test durations CI recorded (pytest's junit xml): seconds per file and the
slowest tests, so a suite creeping past its budget (~10 min on 2 cores) shows in every log."""
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

cases = list(ET.parse(sys.argv[1]).getroot().iter("testcase"))
per_file: dict[str, float] = defaultdict(float)
for c in cases:
    per_file[c.get("classname", "")] += float(c.get("time", 0))  # tests.engine.test_x(.Class)
total = sum(per_file.values())
print(f"test durations: {len(cases)} tests, {total:.0f} s in tests (junit: {sys.argv[1]})")
for name, secs in sorted(per_file.items(), key=lambda kv: -kv[1])[:15]:
    print(f"  {secs:7.1f} s  {name}")
print("slowest tests:")
for c in sorted(cases, key=lambda c: -float(c.get("time", 0)))[:10]:
    print(f"  {float(c.get('time', 0)):7.1f} s  {c.get('classname')}::{c.get('name')}")
