"""Staff sign-in: password, then a second factor (authenticator app, passkey or recovery code).

The admin site (`sites.StaffAdminSite`) answers only sessions that passed the second factor;
`views` holds the setup, verify and devices pages, `services` the writes they make.
"""
