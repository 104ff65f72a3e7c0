"""Pre- and post-course tests (question banks, attempts, scores) and the trainees' anonymous course evaluation."""
