#!/usr/bin/env python3
"""Provision a realistic app's Cognito user pool with boto3, as an app's own setup
script would, against any endpoint (the authbench embedded pool in the tests).

    python3 provision_app.py --endpoint http://127.0.0.1:PORT [--region us-east-1]

It creates a pool with custom attributes, groups with precedence and IAM roles, a
resource server, a domain, a Google identity provider and three app clients, then a
user in two groups with custom attributes and a permanent password. It prints one
JSON object with the ids the next steps need. Any AWS error ends it with exit 1.
"""

import argparse
import json
import sys

import boto3
from botocore.config import Config

PASSWORD = "Setup-Passw0rd!"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--region", default="us-east-1")
    args = ap.parse_args()
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=args.endpoint,
        region_name=args.region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )

    pool = idp.create_user_pool(
        PoolName="shop-prod",
        UsernameConfiguration={"CaseSensitive": False},
        AutoVerifiedAttributes=["email"],
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireUppercase": True, "RequireLowercase": True,
                                     "RequireNumbers": True, "RequireSymbols": True}},
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {"Name": "tenant_id", "AttributeDataType": "String", "Mutable": False,
             "StringAttributeConstraints": {"MinLength": "3", "MaxLength": "36"}},
            {"Name": "plan", "AttributeDataType": "String", "Mutable": True},
            {"Name": "seats", "AttributeDataType": "Number", "Mutable": True,
             "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "500"}},
        ],
        UserPoolTags={"app": "shop", "env": "prod"},
    )["UserPool"]
    pool_id = pool["Id"]
    idp.add_custom_attributes(UserPoolId=pool_id, CustomAttributes=[
        {"Name": "beta", "AttributeDataType": "Boolean", "Mutable": True},
    ])

    roles = {}
    for name, prec in (("admins", 0), ("editors", 5), ("readers", None)):
        kw = {"UserPoolId": pool_id, "GroupName": name, "Description": f"{name} of the shop"}
        if prec is not None:
            kw["Precedence"] = prec
            kw["RoleArn"] = f"arn:aws:iam::123456789012:role/shop-{name}"
            roles[name] = kw["RoleArn"]
        idp.create_group(**kw)

    idp.create_resource_server(UserPoolId=pool_id, Identifier="https://api.shop.example", Name="shop-api",
                               Scopes=[{"ScopeName": "orders.read", "ScopeDescription": "Read orders"},
                                       {"ScopeName": "orders.write", "ScopeDescription": "Write orders"}])
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain="shop-prod-auth")
    idp.create_identity_provider(UserPoolId=pool_id, ProviderName="Google", ProviderType="Google",
                                 ProviderDetails={"client_id": "google-client", "client_secret": "google-secret",
                                                  "authorize_scopes": "openid email profile"},
                                 AttributeMapping={"email": "email"})

    web = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web",
                                      ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                                                         "ALLOW_REFRESH_TOKEN_AUTH"],
                                      PreventUserExistenceErrors="ENABLED")["UserPoolClient"]
    server = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="server", GenerateSecret=True,
                                         AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
                                         AllowedOAuthScopes=["openid", "email", "https://api.shop.example/orders.read"],
                                         CallbackURLs=["https://shop.example/callback"],
                                         SupportedIdentityProviders=["COGNITO", "Google"])["UserPoolClient"]
    legacy = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="ops-legacy",
                                         ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH"])["UserPoolClient"]

    username = "mia@shop.example"
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS", UserAttributes=[
        {"Name": "email", "Value": username}, {"Name": "email_verified", "Value": "True"},
        {"Name": "custom:tenant_id", "Value": "tenant-42"}, {"Name": "custom:plan", "Value": "pro"},
        {"Name": "custom:seats", "Value": "25"}, {"Name": "custom:beta", "Value": "true"},
    ])
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    for g in ("readers", "editors", "admins"):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=g)

    # Read back what a setup script checks.
    desc = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    schema = sorted(a["Name"] for a in desc["SchemaAttributes"] if a["Name"].startswith("custom:"))
    groups = [g["GroupName"] for g in idp.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)["Groups"]]
    arn = desc["Arn"]
    tags = idp.list_tags_for_resource(ResourceArn=arn)["Tags"]
    servers = [r["Identifier"] for r in idp.list_resource_servers(UserPoolId=pool_id, MaxResults=10)["ResourceServers"]]
    providers = [p["ProviderName"] for p in idp.list_identity_providers(UserPoolId=pool_id, MaxResults=10)["Providers"]]
    domain = idp.describe_user_pool_domain(Domain="shop-prod-auth")["DomainDescription"]
    legacy_desc = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=legacy["ClientId"])["UserPoolClient"]

    json.dump({
        "poolId": pool_id, "webClientId": web["ClientId"], "serverClientId": server["ClientId"],
        "legacyClientId": legacy["ClientId"], "legacyFlows": legacy_desc["ExplicitAuthFlows"],
        "legacyPreventUserExistenceErrors": legacy_desc["PreventUserExistenceErrors"],
        "username": username, "password": PASSWORD, "customSchema": schema, "groups": groups,
        "roles": roles, "tags": tags, "resourceServers": servers, "providers": providers,
        "domainPool": domain.get("UserPoolId"), "describeDomain": desc.get("Domain"),
    }, sys.stdout)
    print()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line for the Go test's failure message
        print(f"provision_app: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
