"""The stand-in registration system: schema, loader and write simulator.

It writes registrations exactly as declared and never normalises: normal forms
live only in the search index.
"""
