// Shared by the component tests (each declares `@vitest-environment jsdom` itself, since
// the root Vitest run is in node): jest-dom matchers and a clean DOM after each test.
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());
