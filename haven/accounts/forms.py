from __future__ import annotations

from django import forms


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        min_length=6,
        max_length=6,
        error_messages={
            "required": "Enter the 6-digit security code from your authenticator app",
            "min_length": "The security code must be 6 digits",
            "max_length": "The security code must be 6 digits",
        },
    )

    def clean_token(self) -> str:
        token = "".join(str(self.cleaned_data["token"]).split())
        if not token.isdigit():
            raise forms.ValidationError("The security code must be 6 digits")
        return token
