"""Training and industry seminars (R-TRN). The models arrive with the training issue."""
