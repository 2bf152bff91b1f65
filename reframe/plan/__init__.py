"""Plan: from detections to a crop path, one shot at a time (:class:`Planner`).

The package's modules, in the order a shot is planned:

* :mod:`.readings`: the kinds of subject (:class:`~.readings.SubjectKind`) and the typed reading of one sample;
* :mod:`.subjects`: what each sample shows that the camera may frame, and what the shot is about;
* :mod:`.tracks`: the subjects followed through the shot, and the speaker, pin or lasting object ranked first;
* :mod:`.layouts`: follow, split or fit, and the zoom; :mod:`.text`: titles, on-screen text and subtitle bands;
* :mod:`.byhand`: the corrections of :mod:`reframe.overrides`;
* :mod:`.planner`: the window path of each shot, solved per axis, and the crop path.
"""

from .planner import Planner, plan

__all__ = ["Planner", "plan"]
