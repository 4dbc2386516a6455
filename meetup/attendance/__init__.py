"""Attendance: the door list (find a guest, check them in, add walk-ins, scan
their code) and guests recording "we met". A guest checked in is a
connection made; two guests who met are another."""
