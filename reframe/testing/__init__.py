"""Generated test media with exact ground truth, for reframe's tests, benchmarks and examples.

Not part of the pipeline, and not imported by ``import reframe``. The
modules need the test extras (``pip install 'reframe[test]'``:
scikit-image's pictures, the ffmpeg of imageio-ffmpeg, fonts), imported
only when used:

- :mod:`.people` composites the public-domain astronaut portrait over
  backgrounds at known places (one frame, exact boxes);
- :mod:`.media` makes whole clips of it (moving, still, cut, two people)
  with their :class:`~.media.Truth`; :mod:`.encode` writes frames and
  sound as an MP4;
- :mod:`.lavfi` makes clips with ffmpeg's lavfi sources (odd inputs:
  rotation, variable frame rate, interlacing, HDR...);
- :mod:`.subtitle_media` (with :mod:`.subtitle_text`) burns subtitles and
  other text in, :mod:`.textcards` makes title cards, :mod:`.transition_media`
  dissolves, fades and wipes.

>>> # from reframe.testing import media; truth = media.still_subject("still.mp4")
"""
