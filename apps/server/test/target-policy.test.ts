import { expect, test } from 'vitest';
import { createTargetPolicy } from '../src/target-policy.ts';

test('plainly private targets are refused unless allowed; public ones and names pass', () => {
  const closed = createTargetPolicy(undefined);
  for (const domain of ['127.0.0.1:8080', '10.1.2.3', '192.168.0.10', '169.254.169.254', 'localhost:3000', 'shop.localhost']) {
    expect(closed(domain), domain).toMatch(/^Domain .* is a \w+ address; jobs may only target public sites unless CRAWL_ALLOW_HOSTS permits it$/);
  }
  for (const domain of ['example.com', '93.184.216.34', 'shop.example.co.uk:8443']) expect(closed(domain), domain).toBeNull();

  const open = createTargetPolicy('localhost,*.localhost,127.0.0.0/8,169.254.0.0/16');
  for (const domain of ['127.0.0.1:8080', 'localhost:3000', 'shop.localhost']) expect(open(domain), domain).toBeNull();
  expect(open('10.1.2.3')).toMatch(/private/);
  expect(open('169.254.169.254'), 'metadata stays refused').toMatch(/linkLocal/);
});
