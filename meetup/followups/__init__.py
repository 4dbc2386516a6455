"""After the event: "thanks for coming" (who they met, who chose to be
introduced, the next date, a one-click feedback question) or "sorry we
missed you", sent once by the worker, and the feedback the host reads."""
