"""What runs in the action server's process: the reply renderer and its texts and facts."""
