"""Discussion takeaways: offline, consented, reviewed by a facilitator before anyone sees them."""
