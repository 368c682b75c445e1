from django.conf import settings
from django.core.management.base import BaseCommand

from visits.demo import DEMO_USERS

TOTP_APPS = "FreeOTP, Google Authenticator or Microsoft Authenticator"


class Command(BaseCommand):
    help = "Print the demo logins, and which of them must set up a TOTP second factor at first login."

    def handle(self, *args, **options):
        # Read from the same list the loader creates the users from and the same setting login enforces, so the
        # banner of `make run` cannot drift from what happens at the login page.
        self.stdout.write(f"  Demo logins, password {settings.DEMO_PASSWORD}:")
        otp_users = []
        for username, role, _name, post in DEMO_USERS:
            needs_otp = role in settings.OTP_REQUIRED_ROLES
            if needs_otp:
                otp_users.append(username)
            post = f"({post})" if post != role.label else ""
            self.stdout.write(f"    {username:<10} {role.label}{post}{'  *' if needs_otp else ''}")
        if otp_users:
            self.stdout.write(
                f"  * {', '.join(otp_users)} must set up a second factor at first login. Install a TOTP app on a\n"
                f"    phone first ({TOTP_APPS}): the page shows a QR code to scan\n"
                "    (or its key to type in), then asks for the six digits the app shows."
            )
