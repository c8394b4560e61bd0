"""Small reusable widgets of the graphical installer."""
