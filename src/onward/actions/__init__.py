"""What onward does on the person's behalf: archive, undo, follow up."""
