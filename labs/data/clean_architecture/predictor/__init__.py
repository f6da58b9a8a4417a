"""predictor: a tiny model-serving service laid out as a clean architecture."""
