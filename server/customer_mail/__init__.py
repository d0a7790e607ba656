"""Mail to customers: callback surveys by signed link, and opt-in notifications."""
