"""The operator's command line (``siir``): prepares the database and runs and supervises the services.

It sits above everything else: it may import the services and the gateway, and nothing imports it.
"""
