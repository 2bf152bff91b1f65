"""reframe: landscape video in, vertical video out, people kept in frame."""
