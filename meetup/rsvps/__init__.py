"""RSVPs: guests answer with a name and an email, confirm and manage their
answer by mailed link; capacity and the waitlist are enforced here."""
