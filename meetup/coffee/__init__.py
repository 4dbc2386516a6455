"""Coffee chats: 1:1 slots from a host's availability, booked without double-booking."""
