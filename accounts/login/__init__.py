"""How people sign in: allauth's forms as MusicBeats uses them (see forms.py)."""
