"""Evaluation: sacrebleu scores, terminology accuracy, test-set runs, significance and the CI gate."""
