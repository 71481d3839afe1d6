"""Reads a compose --timeline export back with OpenTimelineIO and prints what
the Swift test compares: every clip's source range and record position.

usage: otio_check.py FILE.otio|FILE.edl RATE
prints one JSON object: {"clips": [{"name", "source_start", "source_duration", "record_start"}],
"transitions": [{"in_offset", "out_offset"}], "duration"}; exit 3 when opentimelineio is missing.
"""
import json
import sys

try:
    import opentimelineio as otio
except ImportError:
    sys.exit(3)

path, rate = sys.argv[1], float(sys.argv[2])
if path.endswith(".edl"):
    timeline = otio.adapters.read_from_file(path, adapter_name="cmx_3600", rate=rate)
else:
    timeline = otio.adapters.read_from_file(path)
track = timeline.tracks[0]
clips, transitions = [], []
for child in track:
    if isinstance(child, otio.schema.Clip):
        record = track.range_of_child(child)
        clips.append({
            "name": child.name,
            "source_start": child.source_range.start_time.rescaled_to(rate).value,
            "source_duration": child.source_range.duration.rescaled_to(rate).value,
            "record_start": record.start_time.rescaled_to(rate).value,
        })
    elif isinstance(child, otio.schema.Transition):
        transitions.append({"in_offset": child.in_offset.rescaled_to(rate).value,
                            "out_offset": child.out_offset.rescaled_to(rate).value})
print(json.dumps({"clips": clips, "transitions": transitions, "duration": timeline.duration().rescaled_to(rate).value}))
