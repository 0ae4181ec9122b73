"""Offline measuring instruments for speech (see ``voicesmith.evaluation.measures``)."""
