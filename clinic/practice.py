"""Facts about the practice, in one place, for templates, emails and structured data."""

DOCTOR_NAME = "Dr. Panagopoulos"
PRACTICE_NAME = "Dr. Panagopoulos Addiction Psychiatry"
DOCTOR_TITLE = "Double-board-certified addiction psychiatrist"

# The states where the doctor is licensed to see patients, by postal code.
STATES_SERVED = {"NY": "New York", "TX": "Texas", "CA": "California"}
STATES_SERVED_TEXT = "New York, Texas and California"

MEET_AND_GREET_MINUTES = 10

CRISIS_LINE = "988"
EMERGENCY_NUMBER = "911"
SAMHSA_HELPLINE = "1-800-662-4357"
FIND_TREATMENT_URL = "https://findtreatment.gov"

DISCLAIMER = (
    "The content of this site is for education and information only. It does not "
    "replace a medical evaluation, diagnosis or treatment."
)
