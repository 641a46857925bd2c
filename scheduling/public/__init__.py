"""What the public sees of the booking calendar: the booking steps (`views`), a patient's private
manage link (`manage`), their forms (`forms`, `manage_forms`), the time picker shared by both
(`picker`), the booking form shared between visitors (`visitor_page`) and the rate limits
(`throttle`)."""
