export interface AccountModel {
  id: string;
  name: string;
  createdUtc: Date;
}

export interface AudienceModel {
  id: string;
  accountId: string;
  name: string;
  createdUtc: Date;
}

export interface ApiKeyModel {
  id: string;
  accountId: string;
  name: string;
  prefix: string;
  createdUtc: Date;
  revokedUtc: Date | null;
}
